"""Attribute-per-layer U-Net in the style of the paper authors' Segmentation_UNet: one attribute per conv and per
ReLU, a forward that calls torch.cat (encoder feature first) and takes a mode argument without a default."""
import torch
from torch import nn


class ClassicUNet(nn.Module):
    def __init__(self, input_channel=1, class_num=2, fnum=4):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels=input_channel, out_channels=fnum, kernel_size=3, padding=1, bias=True)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(fnum, fnum, kernel_size=3, padding=1)
        self.relu2 = nn.ReLU()
        self.pooling1 = nn.AvgPool2d(kernel_size=2, padding=0)
        self.conv3 = nn.Conv2d(fnum, fnum * 2, kernel_size=3, padding=1)
        self.relu3 = nn.ReLU()
        self.conv4 = nn.Conv2d(fnum * 2, fnum * 2, kernel_size=3, padding=1)
        self.relu4 = nn.ReLU()
        self.pooling2 = nn.AvgPool2d(kernel_size=2, padding=0)
        self.conv5 = nn.Conv2d(fnum * 2, fnum * 4, kernel_size=3, padding=1)
        self.relu5 = nn.ReLU()
        self.conv6 = nn.Conv2d(fnum * 4, fnum * 4, kernel_size=3, padding=1)
        self.relu6 = nn.ReLU()
        self.convtranspose1 = nn.ConvTranspose2d(fnum * 4, fnum * 2, stride=2, kernel_size=3, padding=1,
                                                 output_padding=1, bias=True)
        self.relu_convtranspose1 = nn.ReLU()
        self.conv7 = nn.Conv2d(fnum * 4, fnum * 2, kernel_size=3, padding=1)
        self.relu7 = nn.ReLU()
        self.conv8 = nn.Conv2d(fnum * 2, fnum * 2, kernel_size=3, padding=1)
        self.relu8 = nn.ReLU()
        self.convtranspose2 = nn.ConvTranspose2d(fnum * 2, fnum, stride=2, kernel_size=3, padding=1,
                                                 output_padding=1, bias=True)
        self.relu_convtranspose2 = nn.ReLU()
        self.conv9 = nn.Conv2d(fnum * 2, fnum, kernel_size=3, padding=1)
        self.relu9 = nn.ReLU()
        self.conv10 = nn.Conv2d(fnum, fnum, kernel_size=3, padding=1)
        self.relu10 = nn.ReLU()
        self.conv11 = nn.Conv2d(fnum, class_num, kernel_size=1, bias=True)

    def forward(self, x, input_type):
        if input_type == "original":
            x_1 = self.relu1(self.conv1(x))
        elif input_type == "img":
            x_1 = self.relu1(x)
        else:
            x_1 = x
        x_1 = self.relu2(self.conv2(x_1))
        down_x1 = self.pooling1(x_1)
        x_2 = self.relu3(self.conv3(down_x1))
        x_2 = self.relu4(self.conv4(x_2))
        down_x2 = self.pooling2(x_2)
        x_3 = self.relu5(self.conv5(down_x2))
        x_3 = self.relu6(self.conv6(x_3))
        up1 = self.relu_convtranspose1(self.convtranspose1(x_3))
        concat1 = torch.cat((x_2, up1), dim=1)
        x_4 = self.relu8(self.conv8(self.relu7(self.conv7(concat1))))
        up2 = self.relu_convtranspose2(self.convtranspose2(x_4))
        concat2 = torch.cat((x_1, up2), dim=1)
        x_5 = self.relu10(self.conv10(self.relu9(self.conv9(concat2))))
        return self.conv11(x_5)
